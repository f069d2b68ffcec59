DIGESTGEN_SEARCH_LOADED("titles","s",{"santiago":[0],"sourdough":[3,1],"strike":[5,1],"strikes":[1,1],"strong":[0]});
