# SPDX-License-Identifier: MIT
#
# cmake -DIN=FILE -DOUT=FILE.c -DSYMBOL=name -P embed_text.cmake
#
# One text file as a NUL-terminated C array, so the analysis library
# carries its templates (templates/*.md) and needs no file at run time.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "(................................................................)"
       "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by analysis/embed_text.cmake: do not edit. */\n"
  "static const unsigned char bytes[] = {\n${hex}0x00};\n"
  "extern const char *const ${SYMBOL};\n"
  "const char *const ${SYMBOL} = (const char *)bytes;\n")
file(RENAME "${OUT}.tmp" "${OUT}")
