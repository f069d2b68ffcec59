DIGESTGEN_SEARCH_LOADED("terms","a",{"after":[0,1,4],"agreed":[0,1],"alert":[4,1,1],"alive":[2,1],"andes":[4,1],"announced":[2,1],"award":[2,1],"awards":[3]});
