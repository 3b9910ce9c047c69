# Writes file IN as a C array NAME (and NAME_len) into header OUT.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR bytes "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," arr "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" arr "${arr}")
file(WRITE ${OUT} "/* Generated from ${IN}: do not edit. */\n"
  "static const unsigned char ${NAME}[] = {\n${arr}\n};\n"
  "static const unsigned long ${NAME}_len = ${bytes};\n")
