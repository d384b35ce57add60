#pragma once
// `motcua serve` and `motcua token`.

namespace motcua::cli {

int Serve(int argc, char** argv);
int Token(int argc, char** argv);
int Account(int argc, char** argv);

}  // namespace motcua::cli
