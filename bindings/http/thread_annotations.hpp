// Thread-ownership annotations for Clang's -Wthread-safety analysis
// (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), and the two capabilities the
// connection engine uses them with:
//   - Mutex / MutexLock: a std::mutex that the analysis knows (libstdc++'s is not
//     annotated). Data a mutex guards is declared TAXII_GUARDED_BY(mu); a function that needs
//     the lock held says TAXII_REQUIRES(mu).
//   - ThreadRole: a capability no lock backs: "this code runs on thread X". The engine's
//     reactor thread claims its role once, at the top of its loop (assume()); state only the
//     reactor may touch is TAXII_GUARDED_BY(role), and functions only the reactor may call are
//     TAXII_REQUIRES(role). A worker that touched such state would not compile under clang.
// The checks run in the clang builds (CMakeLists.txt adds -Wthread-safety for clang, an error
// with TAXII_WERROR); with g++ every macro expands to nothing and the types are plain wrappers
// (no cost: the wrappers are inline and hold only the std::mutex).
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define TAXII_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TAXII_THREAD_ANNOTATION(x)
#endif

#define TAXII_CAPABILITY(name) TAXII_THREAD_ANNOTATION(capability(name))
#define TAXII_SCOPED_CAPABILITY TAXII_THREAD_ANNOTATION(scoped_lockable)
#define TAXII_GUARDED_BY(x) TAXII_THREAD_ANNOTATION(guarded_by(x))
#define TAXII_PT_GUARDED_BY(x) TAXII_THREAD_ANNOTATION(pt_guarded_by(x))
#define TAXII_REQUIRES(...) TAXII_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TAXII_EXCLUDES(...) TAXII_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define TAXII_ACQUIRE(...) TAXII_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TAXII_RELEASE(...) TAXII_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TAXII_ASSERT_CAPABILITY(x) TAXII_THREAD_ANNOTATION(assert_capability(x))
#define TAXII_NO_THREAD_SAFETY_ANALYSIS TAXII_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace taxii::http {

class TAXII_CAPABILITY("mutex") Mutex {
 public:
  void lock() TAXII_ACQUIRE() { mu_.lock(); }
  void unlock() TAXII_RELEASE() { mu_.unlock(); }
  // For std::condition_variable (MutexLock::wait): the lock is held around it.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds a Mutex for its scope; wait() releases it while blocked, as condition variables do
// (the analysis sees the lock held throughout, which is what the caller may rely on).
class TAXII_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) TAXII_ACQUIRE(mu) : lock_(mu.native()) {}
  ~MutexLock() TAXII_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  void wait(std::condition_variable& cv) { cv.wait(lock_); }

 private:
  std::unique_lock<std::mutex> lock_;
};

// "Code that runs on one particular thread" (see above). assume() states that the caller is
// that thread: call it once where the thread starts.
class TAXII_CAPABILITY("role") ThreadRole {
 public:
  void assume() const TAXII_ASSERT_CAPABILITY(this) {}
};

}  // namespace taxii::http
