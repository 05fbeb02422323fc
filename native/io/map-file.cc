// mapFile(path) -> ArrayBuffer | undefined: a private, copy-on-write memory map of a whole file, for
// the model's caches (tens of MB read on every start-up). Copying them into fresh memory costs
// ~1 ms per MB (page faults of new memory plus the copy); a map of a file in the page cache costs
// neither until a page is touched. undefined when mapping is not possible here (Windows, an empty
// file, an error): the caller reads the file instead. The caches are replaced by rename only
// (store/fs-run-tracker.ts writeFileAtomic), so a mapped file is never truncated under the map.
//
// readFileHuge(path) -> Promise<ArrayBuffer | undefined>: the file read, on a libuv thread, into
// fresh anonymous memory backed by 2 MB pages where the kernel offers them (Linux transparent huge
// pages, `madvise` mode). For an index searched at random (the ungapped screen's), one TLB entry
// then covers 2 MB instead of 4 KB: 12% less CPU in the screen of a proteome. The copy costs more
// than a lazy map (40 MB: zeroed huge pages plus the copy), so it runs off the main thread while
// the rest of the model loads. undefined where this is not possible: the caller maps instead.
//
// Both are shared within the process: a file (the same device, inode, size and modification time)
// mapped or read again by another thread (the server's prediction, job and drift threads each load
// the model) gets the same memory, counted once, and it is released when the last ArrayBuffer
// over it is collected. A write by mistake through one of them is seen by all of them (still never
// by the file).
#include <node_api.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define ARGINATOR_HAVE_MMAP 1
#endif

namespace arginator {

namespace {

#ifdef ARGINATOR_HAVE_MMAP
// (device, inode, size, mtime s, mtime ns, huge): a file replaced by rename is a new inode.
using FileKey = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t, bool>;
// One mapped or read file, shared by every ArrayBuffer over it (in any thread of the process).
struct Shared {
  FileKey key;
  void* data = nullptr;
  size_t size = 0;    // the file's bytes (the ArrayBuffer's length)
  size_t mapped = 0;  // the bytes to munmap
  int refs = 0;
};
std::mutex registry_mutex;
std::map<FileKey, Shared*>& registry() {
  static std::map<FileKey, Shared*> files;
  return files;
}

FileKey key_of(const struct stat& st, bool huge) {
#if defined(__APPLE__)
  const int64_t ns = st.st_mtimespec.tv_nsec;
  const int64_t sec = st.st_mtimespec.tv_sec;
#else
  const int64_t ns = st.st_mtim.tv_nsec;
  const int64_t sec = st.st_mtim.tv_sec;
#endif
  return FileKey{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                 static_cast<int64_t>(st.st_size), sec, ns, huge};
}

// The shared memory of a file already mapped or read, with one more reference; nullptr if none.
Shared* Acquire(const FileKey& key) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(key);
  if (it == registry().end()) return nullptr;
  it->second->refs++;
  return it->second;
}

// Registers fresh memory for key with one reference; if another thread registered the same file
// meanwhile, frees the fresh memory and returns theirs (with one more reference).
Shared* Publish(const FileKey& key, void* data, size_t size, size_t mapped) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry().find(key);
  if (it != registry().end()) {
    munmap(data, mapped);
    it->second->refs++;
    return it->second;
  }
  Shared* s = new Shared{key, data, size, mapped, 1};
  registry()[key] = s;
  return s;
}

void Release(Shared* s) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (--s->refs > 0) return;
  registry().erase(s->key);
  munmap(s->data, s->mapped);
  delete s;
}

void ReleaseFinalizer(napi_env, void*, void* hint) { Release(static_cast<Shared*>(hint)); }

void ClearPendingException(napi_env env) {
  // A runtime that refuses external memory (a V8 sandbox) leaves a pending exception: clear it.
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

// An ArrayBuffer over s (its reference passes to the buffer), or undefined (the reference dropped).
napi_value BufferOf(napi_env env, Shared* s) {
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, s->data, s->size, ReleaseFinalizer, s, &buffer) !=
      napi_ok) {
    Release(s);
    ClearPendingException(env);
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
  }
  return buffer;
}
#endif

#if defined(ARGINATOR_HAVE_MMAP) && defined(MADV_HUGEPAGE)
#define ARGINATOR_HAVE_HUGE 1
constexpr size_t kHugePage = size_t{2} << 20;

struct HugeRead {
  std::string path;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
  Shared* shared = nullptr;
};

// Memory aligned to and sized in whole huge pages (so the kernel can back all of it with them).
void* HugeAlloc(size_t rounded) {
  const size_t span = rounded + kHugePage;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t tail = aligned + rounded;
  if (start + span > tail) munmap(reinterpret_cast<void*>(tail), start + span - tail);
  void* data = reinterpret_cast<void*>(aligned);
  madvise(data, rounded, MADV_HUGEPAGE);
  return data;
}

void ExecuteHugeRead(napi_env, void* hint) {
  HugeRead* r = static_cast<HugeRead*>(hint);
  const int fd = open(r->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return;
  }
  const FileKey key = key_of(st, true);
  r->shared = Acquire(key);
  if (r->shared != nullptr) {
    close(fd);
    return;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const size_t rounded = (size + kHugePage - 1) / kHugePage * kHugePage;
  char* data = static_cast<char*>(HugeAlloc(rounded));
  if (data == nullptr) {
    close(fd);
    return;
  }
  size_t at = 0;
  while (at < size) {
    const ssize_t n = pread(fd, data + at, size - at, static_cast<off_t>(at));
    if (n <= 0) break;  // an error, or the file shrank: nothing is returned
    at += static_cast<size_t>(n);
  }
  close(fd);
  if (at != size) {
    munmap(data, rounded);
    return;
  }
  r->shared = Publish(key, data, size, rounded);
}

void CompleteHugeRead(napi_env env, napi_status, void* hint) {
  HugeRead* r = static_cast<HugeRead*>(hint);
  napi_value result;
  napi_get_undefined(env, &result);
  if (r->shared != nullptr) result = BufferOf(env, r->shared);
  napi_resolve_deferred(env, r->deferred, result);
  napi_delete_async_work(env, r->work);
  delete r;
}
#endif

}  // namespace

napi_value MapFile(napi_env env, napi_callback_info info) {
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "mapFile: expected a path");
    return nullptr;
  }
#ifdef ARGINATOR_HAVE_MMAP
  std::string path(length, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), length + 1, &length);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return undefined;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return undefined;
  }
  const FileKey key = key_of(st, false);
  Shared* shared = Acquire(key);
  if (shared == nullptr) {
    const size_t size = static_cast<size_t>(st.st_size);
    // Private and writable: a write by mistake changes this process's copy, never the file.
    void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) return undefined;
    shared = Publish(key, data, size, size);
  } else {
    close(fd);
  }
  return BufferOf(env, shared);
#else
  return undefined;
#endif
}

napi_value ReadFileHuge(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t length = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "readFileHuge: expected a path");
    return nullptr;
  }
  napi_deferred deferred;
  napi_value promise;
  napi_create_promise(env, &deferred, &promise);
#ifdef ARGINATOR_HAVE_HUGE
  HugeRead* r = new HugeRead();
  r->path.assign(length, '\0');
  napi_get_value_string_utf8(env, argv[0], r->path.data(), length + 1, &length);
  r->deferred = deferred;
  napi_value name;
  napi_create_string_utf8(env, "arginator.readFileHuge", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, nullptr, name, ExecuteHugeRead, CompleteHugeRead, r, &r->work) !=
          napi_ok ||
      napi_queue_async_work(env, r->work) != napi_ok) {
    if (r->work != nullptr) napi_delete_async_work(env, r->work);
    delete r;
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, deferred, undefined);
  }
#else
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_resolve_deferred(env, deferred, undefined);
#endif
  return promise;
}

}  // namespace arginator
