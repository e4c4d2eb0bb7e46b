def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/classes/com/acme/LinReg.class').isFile()
assert !new File(basedir, 'target/classes/demo').exists() : 'the old package folders go with their class'
assert log.contains('removed 1 class file of models renamed or moved to another package')
assert !log.contains('of deleted models') : 'no model file was deleted'
return true
