def log = new File(basedir, 'build.log').text
assert log =~ /\[ERROR\] .*bad\.mdl:3:15: error: undefined name 'w'/
assert log.contains('[ERROR]     let y = x @ w')
assert log.contains('[ERROR]                 ^')
assert log.contains('modelc: 1 error in the models')
assert !new File(basedir, 'target/classes/demo/LinReg.class').exists() : 'nothing is written when a model fails'
return true
