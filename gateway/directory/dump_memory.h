// DumpMemory: what a registry source remembers between its syncs in this process: each
// identifier with a hash of its row, as of the sync that reached `cursor`. With it, the next sync
// of a changed dump writes only the rows that differ and removes the identifiers that are gone (a
// delta); without it (the first sync in a process, or another process synced last), every row is
// written and what is missing is swept.
//
// An open-addressing table (linear probing) of 24-byte slots over one string of identifiers:
// about 70 bytes an identifier at a million (a node-based map took about 100 and was a fifth of
// a delta's time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::gateway {

class DumpMemory {
 public:
  enum class Seen { kNew, kChanged, kSame };

  std::string cursor;  // of the sync that the memory describes; empty: it describes none

  // Starts a sync: forgets everything unless `keep` (a delta against what is remembered).
  void Begin(bool keep);
  // An identifier of this sync's dump with the hash of its row: whether it is new, changed or
  // the same as remembered. Remembers it (with this hash) as seen in this sync.
  Seen See(std::string_view identifier, uint64_t row_hash);
  // The identifiers remembered but not seen in this sync; they are forgotten.
  std::vector<std::string> TakeUnseen();
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t row_hash = 0;
    uint32_t offset = 0;  // of the identifier in ids_
    uint32_t length = 0;  // 0: an empty slot
    uint32_t tag = 0;     // the high half of the identifier's hash (cheap mismatch test)
    uint32_t epoch = 0;   // the sync that saw it last
  };

  static uint64_t Hash(std::string_view id);
  std::string_view Id(const Slot& s) const { return std::string_view(ids_).substr(s.offset, s.length); }
  size_t Find(std::string_view id, uint64_t hash) const;  // its slot, or the empty slot where it goes
  void Grow();
  void Erase(size_t slot);
  void Compact();

  std::vector<Slot> slots_;
  std::string ids_;
  size_t size_ = 0;
  size_t dead_bytes_ = 0;  // of forgotten identifiers, still in ids_
  uint32_t epoch_ = 0;
};

}  // namespace gw::gateway
