def log = new File(basedir, 'build.log').text
// the plugin's version, which the dependency to add must have: the invoker wrote it into this project's pom.xml
def pom = new File(basedir, 'pom.xml').text
def version = (pom =~ /<artifactId>modelc-maven-plugin<\/artifactId>\s*<version>([^<]+)<\/version>/)[0][1]
assert !version.contains('@')
assert new File(basedir, 'target/classes/demo/LinReg.class').isFile() : 'the models are compiled all the same'
assert log.contains('[WARNING] modelc: the generated classes need the modelc runtime, dev.modelc:modelc-runtime, which is'
    + ' not on the compile class path')
assert log.contains("Add this dependency to the <dependencies> of the project's pom.xml:")
assert log.contains('''[WARNING]     <dependency>
[WARNING]       <groupId>dev.modelc</groupId>
[WARNING]       <artifactId>modelc-runtime</artifactId>
[WARNING]       <version>''' + version + '''</version>
[WARNING]     </dependency>''')
assert log.contains('modelc: the compile class path has no modelc runtime; add the dependency dev.modelc:modelc-runtime:'
    + version + ' (failOnWarning is set)')
return true
