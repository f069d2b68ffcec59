DIGESTGEN_SEARCH_LOADED("terms","j",{"jo":[3],"judges":[3,1]});
