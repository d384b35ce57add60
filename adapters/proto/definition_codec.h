#pragma once
// Domain definitions → protobuf messages for the API (one direction: definitions are only
// ever read from YAML files).

#include "engine/calendar/calendar.h"
#include "engine/calendar/deadline.h"
#include "engine/definition/procedure.h"
#include "motcua/v1/calendar.pb.h"
#include "motcua/v1/definition.pb.h"

namespace motcua {

void ToProto(const Procedure& p, v1::Procedure* out);
void ToProto(const WorkCalendar& c, v1::Calendar* out);
void ToProto(const Procedure& p, const WorkCalendar& c, const DueDate& d, v1::DuePreview* out);
}  // namespace motcua
