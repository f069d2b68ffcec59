DIGESTGEN_SEARCH_LOADED("terms","i",{"island":[0,1],"issued":[6]});
