#include "gateway/directory/dump_memory.h"

#include <functional>

namespace gw::gateway {

uint64_t DumpMemory::Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

void DumpMemory::Begin(bool keep) {
  if (!keep) {
    const size_t capacity = slots_.size();
    slots_.assign(capacity, Slot{});
    ids_.clear();
    size_ = dead_bytes_ = 0;
  }
  ++epoch_;
}

size_t DumpMemory::Find(std::string_view id, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.length == 0 || (s.tag == tag && Id(s) == id)) return i;
  }
}

DumpMemory::Seen DumpMemory::See(std::string_view id, uint64_t row_hash) {
  if (id.empty()) return Seen::kNew;  // never remembered (length 0 marks an empty slot)
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();  // at most three quarters full
  const uint64_t hash = Hash(id);
  Slot& s = slots_[Find(id, hash)];
  if (s.length == 0) {
    s.offset = static_cast<uint32_t>(ids_.size());
    s.length = static_cast<uint32_t>(id.size());
    ids_.append(id);
    s.tag = static_cast<uint32_t>(hash >> 32);
    s.row_hash = row_hash;
    s.epoch = epoch_;
    ++size_;
    return Seen::kNew;
  }
  const bool same = s.row_hash == row_hash;
  s.row_hash = row_hash;
  s.epoch = epoch_;
  return same ? Seen::kSame : Seen::kChanged;
}

void DumpMemory::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  for (const Slot& s : old)
    if (s.length) slots_[Find(Id(s), Hash(Id(s)))] = s;
}

// Backward-shift deletion: the slots after it that probed past it move up, so that no lookup
// ever stops early at the hole.
void DumpMemory::Erase(size_t hole) {
  const size_t mask = slots_.size() - 1;
  dead_bytes_ += slots_[hole].length;
  for (size_t i = (hole + 1) & mask; slots_[i].length; i = (i + 1) & mask) {
    const size_t home = Hash(Id(slots_[i])) & mask;
    // Moves when its home is not within (hole, i] (cyclically).
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    slots_[hole] = slots_[i];
    hole = i;
  }
  slots_[hole] = Slot{};
  --size_;
}

std::vector<std::string> DumpMemory::TakeUnseen() {
  std::vector<std::string> gone;
  for (const Slot& s : slots_)
    if (s.length && s.epoch != epoch_) gone.emplace_back(Id(s));
  for (const auto& id : gone) Erase(Find(id, Hash(id)));
  if (dead_bytes_ > ids_.size() / 2) Compact();
  return gone;
}

// Copies the live identifiers into a new string (forgotten ones leave holes in the old).
void DumpMemory::Compact() {
  std::string ids;
  ids.reserve(ids_.size() - dead_bytes_);
  for (Slot& s : slots_) {
    if (!s.length) continue;
    const auto offset = static_cast<uint32_t>(ids.size());
    ids.append(Id(s));
    s.offset = offset;
  }
  ids_ = std::move(ids);
  dead_bytes_ = 0;
}

}  // namespace gw::gateway
