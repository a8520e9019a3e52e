#include "classifier/cut_tree.h"
