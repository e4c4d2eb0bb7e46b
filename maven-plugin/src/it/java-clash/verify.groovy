def log = new File(basedir, 'build.log').text
assert log =~ /\[ERROR\] .*app\.mdl:2:7: error: duplicate class: demo\.App \(model App and .*src.main.java.demo.App\.java both define it\); rename the model or the Java class/
assert log.contains('[ERROR]   model App {')
assert log =~ /modelc: 1 error in the models; the first: .*app\.mdl:2:7: error: duplicate class: demo\.App /
assert !new File(basedir, 'target/classes/demo/App.class').exists() : 'nothing is written'
return true
