// Nothing to wrap: libyaml's parser API is callable from Swift as it is. SwiftPM wants a source
// file in every C target, so the header's module is built from this one.
#include "CYAML.h"
