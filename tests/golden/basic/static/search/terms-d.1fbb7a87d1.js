DIGESTGEN_SEARCH_LOADED("terms","d",{"daily":[0,2],"day":[5,1],"days":[5,1],"deal":[5,1],"deaths":[0,1,1]});
