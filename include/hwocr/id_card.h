// IdCardOptions and IdCardResult now live with the other cards in
// <hwocr/cards.h>; this header stays so existing includes keep working.
#pragma once

#include "hwocr/cards.h"
