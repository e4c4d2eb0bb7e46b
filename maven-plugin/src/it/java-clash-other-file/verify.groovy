def log = new File(basedir, 'build.log').text
assert log =~ /\[ERROR\] .*app\.mdl:2:7: error: duplicate class: demo\.App \(model App and .*src.main.java.demo.Helpers\.java both define it\); rename the model or the Java class/
assert log =~ /modelc: 1 error in the models; the first: .*app\.mdl:2:7: error: duplicate class: demo\.App /
assert !log.contains('COMPILATION ERROR') : 'modelc fails the build before javac runs'
assert !log.contains('Banner') : 'a class in a string is not a class'
assert !new File(basedir, 'target/classes/demo/App.class').exists() : 'nothing is written'
return true
