#!/usr/bin/perl
# Lists the frames of a flame graph SVG, flamegraph.pl's or sear's, one per line and
# sorted, so that two graphs can be compared frame by frame:
#   NAME <tab> X <tab> Y <tab> WIDTH <tab> HEIGHT <tab> FILL <tab> LABEL
# NAME is the tooltip without its trailing "(counts)"; entities are decoded.
# usage: svg-frames.pl [--no-fill] [--no-label] FILE.svg
use strict;
use warnings;

my ($fill, $label) = (1, 1);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift;
	$fill = 0 if $o eq "--no-fill";
	$label = 0 if $o eq "--no-label";
}
local $/;
my $svg = <>;
# flamegraph.pl's SVG for no input has no frames: nothing to list
exit 0 unless $svg =~ /<g id="frames">(.*)<\/g>\s*(?:<text id="nosamples"[^>]*>[^<]*<\/text>\s*)?<\/svg>/s;
my $frames = $1;

sub decode {
	my $s = shift;
	$s =~ s/&lt;/</g;
	$s =~ s/&gt;/>/g;
	$s =~ s/&quot;/"/g;
	$s =~ s/&apos;/'/g;
	$s =~ s/&amp;/&/g;
	return $s;
}

sub attr {
	my ($attrs, $name) = @_;
	return $attrs =~ /\b$name="([^"]*)"/ ? $1 : "?";
}

my @out;
while ($frames =~ /<title>(.*?)<\/title>\s*<rect ([^>]*?)\/?>\s*<text ([^>]*)>(.*?)<\/text>/gs) {
	my ($title, $rect, $text) = (decode($1), $2, decode($4));
	# the root: flamegraph.pl leaves its box unlabelled, sear writes "all"
	$text = "" if $title =~ /^all \([^()]*100%[^()]*\)$/;
	$title =~ s/ \([^()]*\)$//;
	my @f = ($title, map { attr($rect, $_) } qw(x y width height));
	push @f, $fill ? attr($rect, "fill") : "";
	push @f, $label ? $text : "";
	push @out, join("\t", @f);
}
print "$_\n" for sort @out;
