DIGESTGEN_SEARCH_LOADED("terms","l",{"later":[6],"leaders":[0,1],"lifted":[5,1],"loaf":[2,1],"ludlow":[2,1]});
