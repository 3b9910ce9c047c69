#!/usr/bin/perl
# Writes random 'perf script'-like text for differential tests of 'sear collapse':
# real shapes (headers with and without periods, events, pid/tid forms, stack
# lines) mixed with the odd cases perf can print and some it cannot (junk,
# missing empty lines, CRs, NULs). Deterministic for a seed.
# usage: perfscript-gen.pl SEED SAMPLES [srcline] > out.txt
use strict;
use warnings;

my ($seed, $samples, $mode) = @ARGV;
$samples //= 200;
$mode //= "";
srand($seed);

sub pick { return $_[int(rand(@_))]; }
sub chance { return rand() < $_[0]; }

my @comms = ("app", "node", "V8 WorkerThread", "java", "javac", "java-worker", "x", "a",
	"w 42 x", "kworker/0:1", "swapper", "perf-exec", "tab\there", "semi;colon",
	"uni\xc3\xa9", "0", "ab", "  lead", "x 1/2 y", "C2 CompilerThre", "7zip", "-dash");
my @events = ("cpu-clock", "cpu-clock", "cpu-clock", "cycles", "task-clock:u", "a:b",
	"page-faults", "cpu-clock:ppp");
my @funcs = ("main", "main+0x13", "do_work+0x1f", "[unknown]", "[unknown]", "_start",
	"std::vector<int, std::allocator<int> >::push_back(int const&)+0x1c",
	"(anonymous namespace)::Worker::Run(void*)", "net/http.(*Client).Do+0x5",
	"RegExp:[&<>\"']", "a;b->inlined_helper->deeper", "LazyCompile:*fib /app/x.js:2",
	"JS:~handler /srv/app.js:10:3", "Lorg/mozilla/javascript/ContextFactory;.call(Lx;)V",
	"Ljava/lang/Thread;.run()V", "Interpreter", "foo->", "->bar", "a->->b", "x_[i]->y_[i]",
	"f+0x1+0x2", "g+0xABC", "h+0x", "(deleted)", "func (x)", "op()", "std::_Function_handler<void (), main::{lambda()#1}>::_M_invoke(std::_Any_data const&)",
	"x_[j]", "name with spaces", "tab\tname", "q'uote", "", " ", "a-b", "a->b", "-", "->",
	"go.(*T).M(x)", "p.(x", "__GI___libc_write+0x13", "\xff\xfe", "a\x00b", "[vdso]",
	"[[unknown]]", "(", "((x))", "f(anonymous namespace)g(h)");
my @mods = ("[kernel.kallsyms]", "[kernel.kallsyms]", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	"[unknown]", "[unknown]", "/tmp/perf-1234.map", "/tmp/perf-x.map", "[vdso]",
	"/lib/modules/6.1/build/vmlinux", "/srv/app (deleted)", "/a b/c d.so", "", "x",
	"/usr/bin/node", "[nf_conntrack_ipv4]", "unknown", "/tmp/perf-12.mapx", "[]",
	"/opt/perf-77.map", "/usr/lib/jvm/libjvm.so", "(x)", "/p/a(b)c");
my @pcs = ("ffffffff8124903e", "20ca3", "0", "7f0000001000", "1253", "abc_def", "x", "_",
	"3d534c52555f444f");

sub header {
	my $comm = pick(@comms);
	my $ids;
	my $r = rand();
	if ($r < 0.5) { $ids = int(rand(50000)); }
	elsif ($r < 0.8) { $ids = int(rand(50000)) . "/" . int(rand(50000)); }
	else { $ids = pick("0", "77/0", "77/00", "12//34", "5/", "0/0", "007/008"); }
	my $sp = pick(" ", "  ", "\t", "     ");
	my $line = "$comm$sp$ids";
	$line .= " [" . sprintf("%03d", int(rand(4))) . "]" if chance(0.5);
	$line .= " " . int(rand(5000)) . "." . sprintf("%06d", int(rand(1e6))) . ":";
	if (chance(0.85)) {
		my $per = pick(int(rand(1e6)), "1", "0", "00", "250000", "18446744073709551615",
			"99999999999999999999999", "9223372036854775807");
		$line .= pick(" ", "     ", "") . $per if chance(0.8);
		$line .= " " . pick(@events) . ":";
		$line .= pick("", " ", "  ", "\t") if chance(0.5);
	} elsif (chance(0.5)) {
		$line .= " " . pick(@events) . ": " . pick(@pcs) . " " . pick(@funcs) . " (" . pick(@mods) . ")";
	}
	return $line;
}

sub frame {
	my $ind = pick("\t", "\t    ", "        ", "", "\t\t");
	my $line = $ind . pick(@pcs) . pick(" ", "  ", "") . pick(@funcs) . " (" . pick(@mods) . ")";
	$line .= pick("", " ", " extra", ")", " (y)") if chance(0.1);
	return $line;
}

sub srcline {
	return pick("  file.c:12", "  [kernel.kallsyms][ffffffff81000000]", "  libc.so.6[20ca3]",
		"", "  a.cpp:3 [x] ", "   ", "\tb.c:9\t");
}

for my $i (1 .. $samples) {
	print header(), "\n" unless chance(0.03);
	my $depth = int(rand(8));
	for (1 .. $depth) {
		print frame(), "\n";
		print srcline(), "\n" if $mode eq "srcline" && chance(0.95);
	}
	print pick("junk line", "# comment", "  ", "\r", "this is 12 not a frame", "x (y)"), "\n"
		if chance(0.05);
	print "\n" unless chance(0.05);
	print "\n" if chance(0.05);
}
print header(), "\n", frame() if chance(0.5); # an unterminated sample, no final newline
