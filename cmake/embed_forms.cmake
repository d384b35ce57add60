# Embeds every form template as a table of {name, text}:
#   cmake -DDIR=adapters/report/forms -DOUT=file.cc -P embed_forms.cmake
file(GLOB FORMS ${DIR}/*.html)
list(SORT FORMS)
set(BODY "#include <utility>\nextern const std::pair<const char*, const char*> kMotcuaForms[];\nextern const int kMotcuaFormCount;\nconst std::pair<const char*, const char*> kMotcuaForms[] = {\n")
set(COUNT 0)
foreach(f ${FORMS})
  get_filename_component(NAME ${f} NAME_WE)
  file(READ ${f} CONTENT)
  string(APPEND BODY "    {\"${NAME}\", R\"motcua_form(${CONTENT})motcua_form\"},\n")
  math(EXPR COUNT "${COUNT} + 1")
endforeach()
string(APPEND BODY "};\nconst int kMotcuaFormCount = ${COUNT};\n")
file(WRITE ${OUT} "${BODY}")
