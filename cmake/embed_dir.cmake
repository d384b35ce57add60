# Embeds every file of a directory that matches a pattern as a table of {name, text}, in name
# order (the name without its extension):
#   cmake -DDIR=adapters/report/forms -DPATTERN=*.html -DSYMBOL=kMotcuaForms -DOUT=file.cc \
#         -P embed_dir.cmake
# defines `const std::pair<const char*, const char*> SYMBOL[]` and `const int SYMBOLCount`.
file(GLOB FILES ${DIR}/${PATTERN})
list(SORT FILES)
set(BODY "#include <utility>\nextern const std::pair<const char*, const char*> ${SYMBOL}[];\nextern const int ${SYMBOL}Count;\nconst std::pair<const char*, const char*> ${SYMBOL}[] = {\n")
set(COUNT 0)
foreach(f ${FILES})
  get_filename_component(NAME ${f} NAME_WE)
  file(READ ${f} CONTENT)
  string(APPEND BODY "    {\"${NAME}\", R\"motcua_embed(${CONTENT})motcua_embed\"},\n")
  math(EXPR COUNT "${COUNT} + 1")
endforeach()
string(APPEND BODY "};\nconst int ${SYMBOL}Count = ${COUNT};\n")
file(WRITE ${OUT} "${BODY}")
