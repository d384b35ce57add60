#pragma once
// gMock matchers for Status and Result<T>, as Abseil's status_matchers.h: a test asserts the
// specific error, never just "not ok".
//
//   EXPECT_THAT(store.Commit(w), StatusIs(StatusCode::kUnavailable, HasSubstr("failed commit")));
//   EXPECT_THAT(Query(q), StatusIs(StatusCode::kInvalidArgument, "the cursor does not ..."));
//   ASSERT_THAT(Open(dir), IsOk());

#include <gmock/gmock.h>

#include <ostream>

#include "engine/common/status.h"

namespace motcua {

// How gtest prints a Status in failure messages.
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }

}  // namespace motcua

namespace motcua::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// `code`, and a message matching `message` (a matcher, or a string it must equal).
MATCHER_P2(StatusIs, code, message,
           std::string(negation ? "is not " : "is ") + StatusCodeName(code) + " with a message " +
               ::testing::DescribeMatcher<const std::string&>(message, negation)) {
  const Status& s = StatusOf(arg);
  *result_listener << "whose status is " << s.ToString();
  return s.code() == code &&
         ::testing::SafeMatcherCast<const std::string&>(message).MatchAndExplain(s.message(),
                                                                                 result_listener);
}

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const Status& s = StatusOf(arg);
  *result_listener << "whose status is " << s.ToString();
  return s.ok();
}

}  // namespace motcua::testing
