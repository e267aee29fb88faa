// A pixel position in the image, as the service gives corners: [x, y].
#pragma once

#include <cstdint>

namespace hwocr {

struct Point {
  std::int64_t x = 0;
  std::int64_t y = 0;
  friend bool operator==(const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }
  friend bool operator!=(const Point& a, const Point& b) { return !(a == b); }
};

}  // namespace hwocr
