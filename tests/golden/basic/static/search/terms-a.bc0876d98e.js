DIGESTGEN_SEARCH_LOADED("terms","a",{"after":[1,4,1],"agreed":[5,1],"alert":[0,1,1],"alive":[3,1],"andes":[1,1],"announced":[3,1],"award":[3,1],"awards":[3]});
