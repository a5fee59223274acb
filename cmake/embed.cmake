# embed.cmake: turns a file into a C array, so that t3q-bootstrap carries
# its helper scripts and needs nothing from the image but an interpreter.
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* generated from ${IN} by cmake/embed.cmake */\n"
  "const char ${NAME}[] = {\n${bytes}0x00 };\n"
  "const unsigned long ${NAME}_len = ${len};\n")
