#include "formats/finvoice/finvoice_names.h"

namespace gw::formats::finvoice::internal {
namespace {

struct Table {
  xml::NameTable table;
  Names names;
  Table() {
#define GW_FINVOICE_ADD(n) names.n = table.Add("", #n);
    GW_FINVOICE_NAMES(GW_FINVOICE_ADD)
#undef GW_FINVOICE_ADD
    table.Freeze();
  }
};

const Table& Instance() {
  static const Table* table = new Table;  // never destroyed: documents may outlive static teardown
  return *table;
}

}  // namespace

const xml::NameTable& FinvoiceNameTable() { return Instance().table; }
const Names& N() { return Instance().names; }

}  // namespace gw::formats::finvoice::internal
