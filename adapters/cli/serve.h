#pragma once
// The commands of the motcua command line that live outside main.cc.

namespace motcua::cli {

int Serve(int argc, char** argv);
int Token(int argc, char** argv);
int Account(int argc, char** argv);
// motcua backup <data> <dir> | backup list <dir> | backup verify <dir> (backup_command.cc)
int Backup(int argc, char** argv);
// motcua restore <backup-dir> <data> [--backup ID] (backup_command.cc)
int Restore(int argc, char** argv);

}  // namespace motcua::cli
