def log = new File(basedir, 'build.log').text
assert new File(basedir, 'src/main/mdl/demo/net.mdl').text.contains('hidden = Linear')
assert log.contains('modelc: the public API of demo.Net changed')
assert log =~ /\[ERROR\] .*App\.java:\[\d+,\d+\] cannot find symbol/
assert log.contains('fc1_weight()')
return true
