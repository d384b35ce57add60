# Embeds a text file as a C string: cmake -DIN=file -DOUT=file.cc -DNAME=symbol -P embed.cmake
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "extern const char* const ${NAME};\nconst char* const ${NAME} = R\"motcua_embed(${CONTENT})motcua_embed\";\n")
