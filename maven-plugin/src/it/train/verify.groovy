def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/classes/demo/LinReg.class').isFile()
assert new File(basedir, 'target/test-classes/fixtures/Line.class').isFile()
assert !new File(basedir, 'target/classes/fixtures').exists()
assert log.contains('modelc: compiled 1 model from 1 file')
assert log.contains('Tests run: 2, Failures: 0, Errors: 0')
// the runtime is a dependency, of the plugin's version: neither goal warns about the class path
assert !log.contains('need the modelc runtime') && !log.contains('the generated classes are made for') : 'no class path warning'
return true
