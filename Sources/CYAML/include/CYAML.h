#ifndef C_YAML_SHIM_H
#define C_YAML_SHIM_H
// The system libyaml (Debian libyaml-dev), for the YAML module. Swift calls its parser directly;
// every decision about the events is made in Swift.
#include <yaml.h>

#endif
