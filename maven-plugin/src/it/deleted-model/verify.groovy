def log = new File(basedir, 'build.log').text
assert !new File(basedir, 'src/main/mdl/demo/old.mdl').exists()
assert !new File(basedir, 'target/classes/demo/Old.class').exists() : 'the deleted model has no class'
assert new File(basedir, 'target/classes/demo/LinReg.class').isFile()
assert log.contains('removed 1 class file of deleted models')
assert log.contains('modelc: demo.Old no longer exists')
assert !log.contains('0 Java class file')
def state = new File(basedir, 'target/modelc/compile-state.properties').text
assert !state.contains('old.mdl')
return true
