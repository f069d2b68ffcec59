DIGESTGEN_SEARCH_LOADED("terms","l",{"later":[4,2],"leaders":[0,1],"lifted":[4,1,1],"loaf":[2,1],"ludlow":[2,1]});
