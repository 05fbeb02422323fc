// Dealing targets to the lanes of the inter-sequence Smith-Waterman kernels (swipe.cc, swipe8.cc):
// longest first, each to the least loaded lane, so lanes finish at about the same column.
#pragma once

#include <algorithm>
#include <vector>

namespace arginator {

// Fills queue[l] with the targets (indices into n, empty ones left out) of each of `lanes` lanes and
// load[l] with their residues; order is scratch.
inline void deal_targets(const int* n, int count, int lanes, std::vector<int>& order, std::vector<int>& load,
                         std::vector<std::vector<int>>& queue) {
  order.resize(count);
  for (int k = 0; k < count; k++) order[k] = k;
  std::sort(order.begin(), order.end(), [&](int x, int y) { return n[x] != n[y] ? n[x] > n[y] : x < y; });
  load.assign(lanes, 0);
  queue.resize(lanes);
  for (auto& lane : queue) lane.clear();
  for (const int k : order) {
    if (n[k] == 0) continue;
    int best = 0;
    for (int l = 1; l < lanes; l++) if (load[l] < load[best]) best = l;
    queue[best].push_back(k);
    load[best] += n[k];
  }
}

}  // namespace arginator
