#!/usr/bin/perl
# Writes random folded text for differential tests of 'sear flamegraph' and 'sear diff':
# names that sort around ';' (spaces, '.', '!', digits), repeated and interleaved stacks,
# empty frames, odd spaces between stack and count, Unicode names, annotations, and
# lines flamegraph.pl skips. Deterministic for a seed.
# usage: folded-gen.pl SEED LINES [two|mixed|clean|ascii] > out.folded
# (clean: no lines without counts; ascii: that, and only ASCII spaces before counts)
use strict;
use warnings;

my ($seed, $lines, $mode) = @ARGV;
$lines //= 200;
$mode //= "";
srand($seed);

sub pick { return $_[int(rand(@_))]; }
sub chance { return rand() < $_[0]; }

my @names = ("main", "main.isra.0", "main!x", "main x", "a", "a.b", "a-b", "b", "c", "--", "-",
	"start_thread", "thread_main", "f_[k]", "g_[j]", "h_[i]", "w_[w]", "mod`fn", "x`y`z",
	"\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "std::vector<int>::push_back",
	"java/lang/Thread:.run", "Ljava/io/File:.x", "org/x/Y:.z", "Perl_pp", "x.pl", "app.js",
	"/x.js", "JS:*f /a.js:1", " ", "", "1", "12", "0x1f", "name (deleted)", "q\"uote",
	"<tag>&amp;", "LazyCompile:~g", "swapper", "do_syscall_64_[k]", "C::D:::E", "Perl",
	"z");
my @spaces = (" ", " ", " ", " ", "\t", "  ", "\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\x83");

sub stack {
	my $depth = 1 + int(rand(6));
	my @f = map { pick(@names) } 1 .. $depth;
	my $s = join(";", @f);
	$s = ";" . $s if chance(0.03);
	$s .= ";" if chance(0.03);
	$s =~ s/;/;--;/ if chance(0.05);
	return $s;
}

sub count {
	my $r = rand();
	return int(rand(20)) if $r < 0.6;
	return int(rand(100000)) if $r < 0.85;
	return pick("0", "007", "2.", "1000000000", "5.0");
}

@spaces = grep { !/[\x80-\xff]/ } @spaces if $mode eq "ascii";
$mode = "clean" if $mode eq "ascii";
my @stacks = map { stack() } 1 .. int($lines / 3) + 1;
for (1 .. $lines) {
	my $s = chance(0.7) ? pick(@stacks) : stack();
	my $line = $s;
	if ($mode eq "two" || ($mode eq "mixed" && chance(0.5))) {
		$line .= pick(@spaces) . count() . " " . count();
	} else {
		$line .= pick(@spaces) . count();
	}
	if ($mode ne "clean") {
		$line .= "\r" if chance(0.01);
		$line = pick("", "no count", "a;b", "12", " 5", "a;b 5 ", "a;b x5", "1.2.3 4 x")
			if chance(0.03);
	}
	print "$line\n";
}
