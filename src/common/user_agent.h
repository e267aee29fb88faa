// The User-Agent hwocr sends: "hwocr/<version>" (ClientConfig::user_agent_suffix appended).
#pragma once

#include <string>

#include "hwocr/version.h"

namespace hwocr::internal {

inline std::string default_user_agent() { return "hwocr/" HWOCR_VERSION_STRING; }

}  // namespace hwocr::internal
