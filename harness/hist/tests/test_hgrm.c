#include "sp_test.h"
TEST(placeholder) { CHECK(1); }
SP_TEST_MAIN(placeholder)
