// engine/model/app_protocol_name.h — a listener's, target group's or health check's protocol as
// the scenario format and the ELB API spell it ("HTTP", "TCP_UDP", Huawei's "UDP_CONNECT"): the
// one spelling the loader's messages and the AWS importer's writer share.
#pragma once

#include <string_view>

#include "engine/model/scenario.h"

namespace pfsim::engine {

std::string_view app_protocol_name(AppProtocol p) noexcept;

}  // namespace pfsim::engine
