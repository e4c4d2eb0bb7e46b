def log = new File(basedir, 'build.log').text
// mvn modelc:help: the plugin's goals, each with its description
assert log.contains('This plugin has 4 goals:')
['check', 'compile', 'help', 'testCompile'].each { goal ->
  assert log =~ /(?m)^modelc:${goal}$/ : "modelc:${goal} is listed"
}
assert log.contains('checks every .mdl file under the source directory')
// mvn modelc:help -Ddetail -Dgoal=compile: compile's parameters, with defaults and properties, and no other goal's
assert log.count('Available parameters:') == 1
assert log.contains('failOnWarning (Default: false)')
assert log.contains('User property: modelc.failOnWarning')
assert log.contains('sourceDirectory (Default: ${project.basedir}/src/main/mdl)')
assert !log.contains('testSourceDirectory')
// no javadoc link left unresolved in the goals' descriptions
assert !(log =~ /see \.\s/)
return true
