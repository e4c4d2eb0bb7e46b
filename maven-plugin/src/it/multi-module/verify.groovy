def log = new File(basedir, 'build.log').text
assert new File(basedir, 'app/target/classes/demo/LinReg.class').isFile()
assert new File(basedir, 'app/target/test-classes/demo/Probe.class').isFile()
assert new File(basedir, 'app/target/classes/demo/App.class').isFile() : 'javac compiled the app against both'
assert new File(basedir, 'lib/target/lib-1.0.jar').isFile()
assert !log.contains('modelc: the generated classes need the modelc runtime') : 'the runtime is a dependency'
assert !log.contains('[ERROR]')
return true
