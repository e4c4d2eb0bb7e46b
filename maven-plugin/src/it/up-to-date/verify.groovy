def log = new File(basedir, 'build.log').text
assert log.contains('modelc: compiled 2 models from 2 files')
assert log.contains('modelc: 2 models up to date')
assert log.contains('Nothing to compile - all classes are up to date')
return true
