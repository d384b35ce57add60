#pragma once
// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html):
// which mutex guards which member, and which functions must hold it. A Clang build with
// -Wthread-safety -Werror (scripts/thread_safety.sh, run by CI) checks them; other compilers see
// nothing. Use them with motcua::Mutex (mutex.h): std::mutex carries no annotations.

#if defined(__clang__)
#define MOTCUA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MOTCUA_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) MOTCUA_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY MOTCUA_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) MOTCUA_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) MOTCUA_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) MOTCUA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) MOTCUA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) MOTCUA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MOTCUA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RETURN_CAPABILITY(x) MOTCUA_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS MOTCUA_THREAD_ANNOTATION(no_thread_safety_analysis)
