// Provides std::ios_base_library_init() (new in GCC 13's libstdc++) for older system libstdc++,
// so that TorchSharp's native library loads on Debian 12 / Ubuntu 22.04. See build/TorchSharpNativeFix.targets.
#include <ios>
namespace std { void ios_base_library_init() { static ios_base::Init init; } }
static const int flipguard_ios_init = (std::ios_base_library_init(), 0);
