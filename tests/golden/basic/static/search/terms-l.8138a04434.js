DIGESTGEN_SEARCH_LOADED("terms","l",{"later":[0],"leaders":[5,1],"lifted":[0,1],"loaf":[3,1],"ludlow":[3,1]});
