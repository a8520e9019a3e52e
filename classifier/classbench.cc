#include "classifier/classbench.h"
