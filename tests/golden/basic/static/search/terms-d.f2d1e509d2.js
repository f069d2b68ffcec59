DIGESTGEN_SEARCH_LOADED("terms","d",{"daily":[4,2],"day":[0,1],"days":[0,1],"deal":[0,1],"deaths":[4,1,1]});
