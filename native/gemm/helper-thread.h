// The GEMM helper thread: one worker woken per large product, so two cores share it.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace arginator {

// A single helper thread, woken per large gemm. Spawning a thread per call would cost more than
// the work at batch 32; a condition variable hand-off costs a few microseconds.

class Helper {
 public:
  Helper() : worker_([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  // Runs job on the helper while the caller runs its own half; returns when both are done.
  void run_pair(const std::function<void()>& mine, const std::function<void()>& theirs) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &theirs;
      done_ = false;
    }
    cv_.notify_all();
    mine();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || job_ != nullptr; });
      if (stop_) return;
      const std::function<void()>* job = job_;
      job_ = nullptr;
      lock.unlock();
      (*job)();
      lock.lock();
      done_ = true;
      done_cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void()>* job_ = nullptr;
  bool done_ = true;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace arginator
