DIGESTGEN_SEARCH_LOADED("terms","i",{"island":[5,1],"issued":[0]});
