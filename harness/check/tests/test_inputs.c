#include "checkrun.h"
#include "sp_test.h"
TEST(placeholder) {}
SP_TEST_MAIN(placeholder)
