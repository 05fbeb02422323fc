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
#include <node_api.h>

#include <cstdint>
#include <string>

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
void Unmap(napi_env, void* data, void* hint) {
  munmap(data, reinterpret_cast<size_t>(hint));
}
#endif

#if defined(ARGINATOR_HAVE_MMAP) && defined(MADV_HUGEPAGE)
#define ARGINATOR_HAVE_HUGE 1
constexpr size_t kHugePage = size_t{2} << 20;

struct HugeRead {
  std::string path;
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
  void* data = nullptr;
  size_t size = 0;
  size_t mapped = 0;
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
  r->data = data;
  r->size = size;
  r->mapped = rounded;
}

void CompleteHugeRead(napi_env env, napi_status, void* hint) {
  HugeRead* r = static_cast<HugeRead*>(hint);
  napi_value result;
  napi_get_undefined(env, &result);
  if (r->data != nullptr) {
    napi_value buffer;
    if (napi_create_external_arraybuffer(env, r->data, r->size, Unmap,
                                         reinterpret_cast<void*>(r->mapped), &buffer) == napi_ok) {
      result = buffer;
    } else {
      munmap(r->data, r->mapped);
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
    }
  }
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
  const size_t size = static_cast<size_t>(st.st_size);
  // Private and writable: a write by mistake changes this process's copy, never the file.
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (data == MAP_FAILED) return undefined;
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, data, size, Unmap, reinterpret_cast<void*>(size),
                                       &buffer) != napi_ok) {
    munmap(data, size);
    // A runtime that refuses external memory (a V8 sandbox) leaves a pending exception: clear it.
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return undefined;
  }
  return buffer;
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
