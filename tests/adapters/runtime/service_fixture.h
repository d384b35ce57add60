#pragma once
// Shared by the runtime tests that drive a DossierService directly: the shipped definitions and
// the command every such test starts from (tests/engine/batch/fixtures.h).

#include "adapters/runtime/dossier_service.h"
#include "tests/engine/batch/fixtures.h"
